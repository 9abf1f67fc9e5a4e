"""Exceptions for when a run cannot go on (bad data becomes findings, never exceptions)."""


class KeyprojError(Exception):
    """A run cannot go on; the message says what is wrong and how to fix it (zh and en)."""


class ConfigError(KeyprojError):
    """keyproj.toml cannot be read or holds a bad value."""


class RegisterError(KeyprojError):
    """The register (input/register.xlsx) is missing or has no usable projects sheet."""


class PeriodError(KeyprojError):
    """No period folder to run, or a malformed --period."""
