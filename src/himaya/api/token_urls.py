from django.urls import path

from himaya.api import views

app_name = "tokens"

urlpatterns = [
    path("api-tokens/", views.token_list, name="list"),
    path("api-tokens/new/", views.token_create, name="create"),
    path("api-tokens/<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
