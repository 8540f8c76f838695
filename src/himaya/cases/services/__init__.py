"""Every change to survivors and cases, one module per record family (import the module you need)."""
