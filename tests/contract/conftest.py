"""The contract tests' real payment provider: the wallet tests' localstripe process."""

from tests.wallet.conftest import SECRET_KEY, localstripe

__all__ = ["SECRET_KEY", "localstripe"]
