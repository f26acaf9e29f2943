"""Everything under /api/: the v1 merchant API, its OpenAPI schema and docs.

Apps add endpoints by providing ``<app>/api_urls.py`` (``urlpatterns = [...]``); each project app that
has one is mounted at /api/v1/ here, in INSTALLED_APPS order, after tracking's own routes. See
tracking/apikit/__init__.py for the conventions (auth, scopes, idempotency, problems, pagination)."""
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from tracking.apikit.docs import ApiDocsView
from tracking.apikit.problems import api_not_found


def _app_api_urlconfs() -> list[str]:
    modules = []
    for app_config in apps.get_app_configs():
        if not app_config.path.startswith(str(settings.BASE_DIR)):
            continue  # only the project's own apps
        module = f"{app_config.name}.api_urls"
        if find_spec(module) is not None:
            modules.append(module)
    return modules


v1_patterns = [path("", include("tracking.api.urls"))]
v1_patterns += [path("", include(module)) for module in _app_api_urlconfs()]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Unknown /api/ paths answer with a problem document, not the HTML 404 page.
    re_path(r"^.*$", api_not_found),
]
