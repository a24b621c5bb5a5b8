using System.Globalization;
using System.Text;

namespace Fraud.Api.FunctionalTests.BadRequests;

public enum BadRequestKind
{
    BadQuery,
    BadCursor,
    UnknownAlert,
    UnknownRoute,
    WrongMethod,
    WrongOrMissingKey,
    MalformedJson,
    WrongTypes,
    OversizedBody,
    WrongContentType,
    RandomBytesBody,
    RawBytes,
}

/// <summary>One generated request. <see cref="Body"/> for <see cref="BadRequestKind.RawBytes"/> is the whole request.</summary>
public sealed record BadRequest(BadRequestKind Kind, string Method, string Path, byte[]? Body = null, string? ContentType = null, string? ApiKey = null)
{
    /// <summary>The server may close the connection instead of answering: a body over the limit (after its 413) or bytes that are not HTTP.</summary>
    public bool MayBeDropped => Kind == BadRequestKind.RawBytes || Body?.Length > 16 * 1024;
}

/// <summary>An answer: its status (0 = the connection closed with none), whether it was problem+json, its start.</summary>
public sealed record BadRequestAnswer(BadRequest Request, int Status, bool IsProblem, string Body)
{
    public string Describe() => $"{Request.Kind}: {Request.Method} {(Request.Path.Length > 200 ? Request.Path[..200] + "…" : Request.Path)} → {Status} {Body}";
}

/// <summary>
/// Endless bad requests from one seed: every kind in turn at random, each with random details. None can change
/// state: writes carry a wrong or missing key, or a body that cannot validate, and a right key goes only with a
/// body that cannot be a feedback or a rule set.
/// </summary>
public sealed class BadRequestGenerator(int seed, string apiKey) : IEnumerable<BadRequest>
{
    private static readonly string[] ListParameters = ["limit", "user_id", "since", "until", "min_risk", "rule", "status", "cursor"];
    private static readonly string[] BadValues =
    [
        "", "abc", "-1", "0", "1001", "99999999999999999999", "1e309", "NaN", "-Infinity", "0x10", "1.5", " 5", "%00", "null",
        "true", "[]", "{}", "2025-13-45T99:99:99Z", "yesterday", "9999-12-31T23:59:59Z", "0001-01-01", "' OR 1=1 --", "<script>",
        "%E2%82", "%FF%FE", new string('9', 400), new string('a', 2_000), "open,closed", "-0.0001", "1.0000001",
    ];
    private static readonly string[] Methods = ["DELETE", "PATCH", "PUT", "POST", "OPTIONS", "TRACE", "PROPFIND"];
    private static readonly string[] Routes = ["/alerts", "/alerts/x", "/stats", "/rules/versions", "/models", "/health"];
    private static readonly string[] JsonRoutes = ["/alerts/{0}/feedback", "/rules"];

    public IEnumerator<BadRequest> GetEnumerator()
    {
        var random = new Random(seed);
        var kinds = Enum.GetValues<BadRequestKind>();
        while (true)
        {
            yield return Next(random, kinds[random.Next(kinds.Length)]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private BadRequest Next(Random random, BadRequestKind kind) => kind switch
    {
        BadRequestKind.BadQuery => new(kind, "GET", "/alerts?" + string.Join("&", Enumerable.Range(0, random.Next(1, 4))
            .Select(_ => $"{Pick(random, ListParameters)}={Escape(Pick(random, BadValues))}"))),
        BadRequestKind.BadCursor => new(kind, "GET", $"/alerts?cursor={Escape(RandomCursor(random))}"),
        BadRequestKind.UnknownAlert => new(kind, "GET", $"/alerts/{Escape(RandomText(random, random.Next(1, 600)))}"),
        BadRequestKind.UnknownRoute => new(kind, Pick(random, ["GET", "POST"]), "/" + string.Join("/", Enumerable.Range(0, random.Next(1, 5))
            .Select(_ => Escape(RandomText(random, random.Next(1, 40)))))),
        BadRequestKind.WrongMethod => new(kind, Pick(random, Methods), Pick(random, Routes)),
        BadRequestKind.WrongOrMissingKey => WriteWithoutKey(random),
        BadRequestKind.MalformedJson => JsonWrite(random, kind, Pick(random, MalformedBodies)),
        BadRequestKind.WrongTypes => JsonWrite(random, kind, Pick(random, WrongTypeBodies)),
        BadRequestKind.OversizedBody => JsonWrite(random, kind, "{\"label\":\"legit\",\"note\":\"" + new string('n', random.Next(16 * 1024, 256 * 1024)) + "\"}"),
        BadRequestKind.WrongContentType => JsonWrite(random, kind, "{\"label\":\"legit\"}") with
        {
            ContentType = Pick(random, ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "image/png"]),
        },
        BadRequestKind.RandomBytesBody => RandomBytesBody(random),
        BadRequestKind.RawBytes => new(kind, "", "", RandomBytes(random, random.Next(1, 2_048))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static readonly string[] MalformedBodies =
    [
        "", "{", "}", "{\"label\":", "{\"label\":\"fraud\"", "{label:fraud}", "{'label':'fraud'}", "[", "\"", "nul", "{\"label\":\"fraud\",}",
        "{\"label\":\"fraud\"}}", "{\"a\":" + new string('[', 2_000), "\u0000", "{\"label\":\"\\uZZZZ\"}", "{\"version\":",
    ];

    private static readonly string[] WrongTypeBodies =
    [
        "null", "[]", "42", "\"fraud\"", "{\"label\":1}", "{\"label\":true}", "{\"label\":[\"fraud\"]}", "{\"label\":\"maybe\"}",
        "{\"label\":\"fraud\",\"note\":5}", "{\"label\":null}", "{\"note\":\"no label\"}", "{\"label\":\"fraud\",\"note\":{\"a\":1}}",
        "{\"version\":5,\"rules\":\"none\"}", "{\"version\":\"v\",\"rules\":[{\"name\":1}]}", "{\"rules\":[{\"kind\":\"unknown_kind\"}]}",
    ];

    /// <summary>A write with the right key and a body that can never be a valid feedback or rule set.</summary>
    private BadRequest JsonWrite(Random random, BadRequestKind kind, string body)
    {
        string route = string.Format(CultureInfo.InvariantCulture, Pick(random, JsonRoutes), Escape(RandomText(random, random.Next(1, 30))));
        // A valid feedback body only ever goes to an alert that does not exist (random tx_id): a 404.
        bool rules = route == "/rules";
        if (rules && kind is BadRequestKind.OversizedBody or BadRequestKind.WrongContentType)
        {
            body = "{\"version\":\"never-valid\",\"rules\":[{\"kind\":\"no_such_kind\"}]," + body[1..];
        }

        return new(kind, rules ? "PUT" : "POST", route, Encoding.UTF8.GetBytes(body), "application/json", apiKey);
    }

    /// <summary>Random bytes as the body; the right key only where no bytes can make a valid request.</summary>
    private BadRequest RandomBytesBody(Random random)
    {
        var (method, path, key) = random.Next(4) switch
        {
            0 => ("POST", $"/alerts/{Escape(RandomText(random, 20))}/feedback", apiKey),
            1 => ("PUT", "/rules", apiKey),
            2 => ("POST", "/models/train", "wrong"),
            _ => ("GET", "/alerts", "wrong"),
        };
        return new(BadRequestKind.RandomBytesBody, method, path, RandomBytes(random, random.Next(1, 4_096)),
            Pick(random, ["application/json", "application/octet-stream"]), key);
    }

    /// <summary>A write with a wrong key (never the right one with spaces around it: HTTP trims those).</summary>
    private BadRequest WriteWithoutKey(Random random)
    {
        string? key = Pick<string?>(random, [null, "", "wrong", apiKey + "x", apiKey[..^1], apiKey.ToUpperInvariant(), Convert.ToHexString(RandomBytes(random, 50))]);
        var (method, path, body) = random.Next(4) switch
        {
            0 => ("POST", "/alerts/tx_1/feedback", "{\"label\":\"fraud\"}"),
            1 => ("PUT", "/rules", "{\"version\":\"x\",\"rules\":[]}"),
            2 => ("POST", "/models/train", ""),
            _ => ("POST", "/models/some-version/activate", ""),
        };
        return new(BadRequestKind.WrongOrMissingKey, method, path, Encoding.UTF8.GetBytes(body), "application/json", key);
    }

    private static string RandomCursor(Random random) => random.Next(4) switch
    {
        0 => RandomText(random, random.Next(1, 80)),
        1 => Convert.ToBase64String(RandomBytes(random, random.Next(1, 60))).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        2 => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{random.NextInt64()}:{RandomText(random, 10)}")).TrimEnd('='),
        _ => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Pick(random, BadValues)}:tx")).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
    };

    /// <summary>Printable and unprintable characters, some outside ASCII.</summary>
    private static string RandomText(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => random.Next(10) switch
        {
            0 => (char)random.Next(1, 32),
            1 => (char)random.Next(0x80, 0x800),
            _ => (char)random.Next(32, 127),
        }).ToArray());

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Escape(string text) => Uri.EscapeDataString(text);
}
