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

    [Theory]
    [InlineData("{\"events\":[],\"events\":[]}", "$")]
    [InlineData("{\"events\":[{\"event_id\":\"e1\",\"type\":\"page_view\",\"type\":\"click\"}]}", "$")]
    public async Task Post_DuplicateKeys_Is400MalformedAndWritesNothing(string body, string _)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PostJsonAsync("/v1/events", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/malformed-json", problem.GetProperty("type").GetString());
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Put_InvalidUtf8OrLoneSurrogate_Is400MalformedAndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var before = await TestStores.SnapshotAsync(host.Store);
        var invalidUtf8 = new ByteArrayContent([.. Encoding.UTF8.GetBytes("{\"name\":\""), 0xff, 0xfe, .. Encoding.UTF8.GetBytes("\"}")]);
        invalidUtf8.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var notUtf8 = await host.Client.PutAsync("/v1/customers/u1", invalidUtf8);
        var surrogate = await host.PutJsonAsync("/v1/customers/u1", "{\"name\":\"\\ud800\"}");

        Assert.Equal(HttpStatusCode.BadRequest, notUtf8.StatusCode);
        Assert.Contains("not valid UTF-8 (byte 10)", (await Json.ReadAsync(notUtf8)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, surrogate.StatusCode);
        Assert.Equal("$.name", (await Json.ReadAsync(surrogate)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Fact]
    public async Task Post_FormToAnEndpointWithoutABody_Is415()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);

        var form = await host.Client.PostAsync("/v1/lifecycle/refresh", new FormUrlEncodedContent([new("a", "b")]));
        var plain = await host.Client.PostAsync("/v1/lifecycle/refresh", new StringContent("a=b", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "lifecycle_transitions"));
    }

    [Fact]
    public async Task Put_NonAsciiEscapedAsPythonDoes_IsStoredAsTheCharacters()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);

        // json.dumps escapes every non-ASCII character: 王芳 and an emoji as a surrogate pair.
        var response = await host.PutJsonAsync("/v1/customers/py1", "{\"name\":\"\\u738b\\u82b3\\ud83d\\ude00\"}");

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("王芳😀", await TestStores.ScalarAsync(host.Store, "SELECT name FROM customers WHERE customer_id = 'py1'"));
    }
}
