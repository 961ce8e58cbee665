"""Stage 2, `translate`: the loaded project (+ ecs-params, role policy) -> AWS request shapes.

Pure: values in, values out; no files, no network. (Filled by the translate issue.)
"""
