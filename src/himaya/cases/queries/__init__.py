"""Every read of case data that leaves the app, scoped by ``visible_to``; one module per record family."""
