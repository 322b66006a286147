"""The entry point: settings and the `pressroom` command, which wire the packages together."""
