"""Case pages, one module per record family; each module declares its ``urlpatterns`` (see cases/urls.py)."""
