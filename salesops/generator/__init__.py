"""Sample-data generator: writes realistic CRM, HR and LMS landing drops (see CONTRACT.md).

    from salesops.generator import generate
    summary = generate("demo", Path("data/landing"), seed=42)
"""

from salesops.generator.orchestrator import generate
from salesops.generator.presets import PRESETS, Preset

__all__ = ["PRESETS", "Preset", "generate"]
