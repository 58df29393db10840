"""The T of ELT: attendance models built by dbt in the warehouse a pipeline loads.

``dbt_project/`` is the dbt project (staging views over the loaded tables, incremental marts),
shipped inside the package; ``profiles`` writes the dbt profile of a pipeline's destination;
``runner`` runs the project through dbt's Python API. dbt is imported only when a transform runs,
so everything else works without the ``transform`` extra.
"""

from pipelines.transform.runner import (
    PROJECT_DIR,
    ModelResult,
    TransformError,
    TransformResult,
    transform,
)

__all__ = ["PROJECT_DIR", "ModelResult", "TransformError", "TransformResult", "transform"]
