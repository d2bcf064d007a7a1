using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Http;

public sealed class RequestBodyTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_MalformedJson_Is400WithLineAndPosition(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/events", "{\"events\":[\n  {\"event_id\":\"e1\",}\n]}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Json.IsProblem(response));
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/malformed-json", problem.GetProperty("type").GetString());
        Assert.Contains("line 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_WrongContentType_Is415(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.Client.PostAsync("/v1/events", new StringContent("event_id,type\ne1,click", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/unsupported-media-type", problem.GetProperty("type").GetString());
        Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_BodyOverLimit_Is413(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine, new ServerOptions { MaxRequestBytes = 4096 });
        var before = await TestStores.SnapshotAsync(host.Store);
        var body = Json.Batch(Enumerable.Range(0, 100).Select(i => Json.Event("e" + i)));

        var response = await host.PostJsonAsync("/v1/events", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/payload-too-large", problem.GetProperty("type").GetString());
        Assert.Contains("4096", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_ChunkedBodyOverLimit_Is413(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine, new ServerOptions { MaxRequestBytes = 4096 });
        var body = Encoding.UTF8.GetBytes(Json.Batch(Enumerable.Range(0, 100).Select(i => Json.Event("e" + i))));

        var response = await host.Client.PostAsync("/v1/events", new UnknownLengthContent(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "events"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_ChunkedBodyUnderLimit_IsAccepted(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var body = Encoding.UTF8.GetBytes(Json.Batch(Enumerable.Range(0, 2000).Select(i => Json.Event("e" + i))));

        var response = await host.Client.PostAsync("/v1/events", new UnknownLengthContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2000, await TestStores.CountAsync(host.Store, "events"));
    }

    /// <summary>A body without Content-Length (sent chunked), written in small pieces.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < _bytes.Length; i += 1000)
                await stream.WriteAsync(_bytes.AsMemory(i, Math.Min(1000, _bytes.Length - i)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
