"""The API docs page (Swagger UI from drf-spectacular-sidecar, served by the app: no CDN).

The split view loads its init script from a URL instead of inline, so the page works under a strict CSP;
it sends its own policy, which the site-wide middleware leaves alone (/api/ is exempt from it)."""
from drf_spectacular.views import SpectacularSwaggerSplitView

DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


class ApiDocsView(SpectacularSwaggerSplitView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response
