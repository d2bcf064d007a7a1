using System.Net;
using System.Text.RegularExpressions;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// Issue 14, the API page: <c>/console/api</c> is a human-readable reference of the OpenAPI document, served without a key (like
/// the document) and entirely from the server: every script it loads comes from this origin, none from a CDN.
/// </summary>
public sealed partial class ApiPageTests
{
    [GeneratedRegex("""<script[^>]*\bsrc\s*=\s*["']([^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();

    [Fact]
    public async Task TheApiPage_ReferencesTheOpenApiDocument_AndLoadsItsScriptsFromThisServer()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        using var anonymous = await host.ClientForAsync(null);

        // /console/api sends the browser to the page's own address (with a slash), on this server.
        using (var bare = await anonymous.GetAsync("/console/api"))
            if (bare.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.Found, bare.StatusCode);
                Assert.Equal("/console/api/", new Uri(new Uri("http://localhost/console/api"), bare.Headers.Location!).PathAndQuery);
            }
        using var page = await anonymous.GetAsync("/console/api/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal); // resolved against the site root by the page

        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var src in scripts)
        {
            Assert.False(src.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || src.StartsWith("https:", StringComparison.OrdinalIgnoreCase)
                || src.StartsWith("//", StringComparison.Ordinal), $"the API page loads {src} from elsewhere");
            var url = new Uri(new Uri("http://localhost/console/api/"), src);
            using var script = await anonymous.GetAsync(url.PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 1000, $"{src} is empty");
        }
        // The document it shows is there, without a key, and data still needs one.
        using (var document = await anonymous.GetAsync("/openapi/v1.json")) Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        using (var data = await anonymous.GetAsync("/v1/metrics")) Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
    }
}
