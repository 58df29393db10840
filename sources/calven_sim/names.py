"""Word lists the simulated tenant draws names from (plain ASCII, nothing to escape in JSON)."""

from __future__ import annotations

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Ava", "Elijah", "Sophia", "James",
    "Isabella", "William", "Mia", "Lucas", "Charlotte", "Henry", "Harper", "Theodore", "Evelyn",
    "Jack", "Aiko", "Mateo", "Priya", "Arjun", "Chloe", "Leo", "Zoe", "Omar", "Fatima", "Wei",
    "Mei", "Kenji", "Sofia", "Diego", "Nora", "Ethan", "Grace", "Samuel", "Hannah", "Daniel",
    "Lina", "Jonas", "Freya", "Hugo", "Ingrid", "Tariq", "Nia", "Kofi", "Elena", "Ravi",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez",
    "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Nguyen", "Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Patel",
    "Kim", "Tanaka", "Schmidt", "Rossi", "Dubois", "Silva", "Novak", "Cohen", "Okafor", "Singh",
    "Larsen", "Murphy",
)  # fmt: skip
COMPANIES = (
    "northwind", "contoso", "fabrikam", "tailspin", "adventureworks", "wingtip", "litware",
    "proseware", "woodgrove", "alpineski",
)  # fmt: skip
CITIES = (
    ("Headquarters Office", "San Francisco, California, USA"),
    ("Melbourne", "500 South Street, Melbourne, Australia"),
    ("New York", "350 Fifth Avenue, New York, USA"),
    ("London", "1 Canada Square, London, UK"),
    ("Berlin", "Friedrichstrasse 68, Berlin, Germany"),
    ("Singapore", "8 Marina View, Singapore"),
    ("Toronto", "100 King Street West, Toronto, Canada"),
    ("Sydney", "1 Martin Place, Sydney, Australia"),
    ("Dublin", "2 Grand Canal Square, Dublin, Ireland"),
    ("Tokyo", "2-7-2 Marunouchi, Tokyo, Japan"),
    ("Austin", "600 Congress Avenue, Austin, Texas, USA"),
    ("Paris", "35 Rue de la Boetie, Paris, France"),
)
ZONE_NAMES = (
    "North Wing", "South Wing", "East Wing", "West Wing", "Engineering Zone", "Quiet Zone",
    "Collaboration Hub", "Garden View", "Atrium", "Harbour Side",
)  # fmt: skip
DIVISIONS = (
    "Engineering", "Sales", "Marketing", "Finance", "Operations", "People", "Legal", "Product",
    "Customer Success", "IT", "Research", "Facilities",
)  # fmt: skip
DEPARTMENT_WORDS = (
    "Platform", "Data", "Enterprise", "Growth", "Accounts", "Analytics", "Strategy", "Support",
    "Design", "Security", "Partnerships", "Planning",
)  # fmt: skip
PRESENCE_SOURCES = ("badge-reader", "wifi", "desk-sensor")
