namespace Fraud.Api;

/// <summary>
/// The analyst console: static files from <c>wwwroot</c> at <c>/</c>, everything local (no CDN). The page may
/// talk to this origin only, which the Content-Security-Policy enforces in the browser.
/// </summary>
internal static class AnalystConsole
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseAnalystConsole(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Small files, edited by hand: always revalidate so a new version shows up at once.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
