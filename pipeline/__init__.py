"""keyproj: monthly scheduling of a county's key construction projects (重点项目建设调度)."""

__version__ = "0.1.0"
