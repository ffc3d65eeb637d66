"""The test suite (a package, so that no test helper module shadows a standard one, such as
``tests/http.py`` and ``http``, in the processes the tests start)."""
