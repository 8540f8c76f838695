from django.urls import path

from himaya.accounts import views

app_name = "accounts"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("me/security/", views.security, name="security"),
    path("me/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/reset-2fa/", views.user_reset_two_factor, name="user_reset_two_factor"),
    path("audit/", views.audit_log, name="audit_log"),
]
