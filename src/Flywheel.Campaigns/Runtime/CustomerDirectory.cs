using Flywheel.Campaigns.Channels;
using Flywheel.Customers.Contracts;
using Flywheel.Storage;
using NodaTime;

namespace Flywheel.Campaigns.Runtime;

/// <summary>
/// What sending needs to know about a customer: how to reach them on each channel, their time zone (for quiet hours, local send
/// times and frequency windows), profile fields for templates, and their consent per channel and purpose.
/// </summary>
internal sealed record CustomerContact(
    string CustomerId,
    string? Name,
    string? City,
    string? MemberTier,
    DateTimeZone TimeZone,
    string? Email,
    string? Phone,
    string? WeChatId,
    string? BirthDate,
    IReadOnlyDictionary<(string Channel, string Purpose), bool> Consents)
{
    /// <summary>The address a channel delivers to; null when the customer has none (the send is suppressed with that reason).</summary>
    public string? AddressFor(ChannelKind channel) => channel switch
    {
        ChannelKind.Email => Email,
        ChannelKind.Sms => Phone,
        ChannelKind.WeCom => WeChatId ?? CustomerId, // a group robot posts to its group; the customer is named in the text
        _ => CustomerId,                             // a webhook receiver looks the customer up by id
    };

    /// <summary>
    /// Consent at send time. Marketing needs an explicit grant on the channel; transactional messages are allowed unless the
    /// customer withdrew transactional consent on it. Webhooks go to the brand's own systems and carry no consent of their own.
    /// </summary>
    public bool Allows(ChannelKind channel, MessagePurpose purpose)
    {
        if (channel == ChannelKind.Webhook) return true;
        var key = (ConsentChannel(channel), purpose == MessagePurpose.Marketing ? "marketing" : "transactional");
        return purpose == MessagePurpose.Marketing ? Consents.TryGetValue(key, out var granted) && granted : !Consents.TryGetValue(key, out var t) || t;
    }

    /// <summary>The consent channel name of a delivery channel (the names the importers and <c>/v1/consent</c> use).</summary>
    public static string ConsentChannel(ChannelKind channel) => channel switch
    {
        ChannelKind.Email => "email",
        ChannelKind.Sms => "sms",
        ChannelKind.WeCom => "wecom",
        _ => "webhook",
    };
}

/// <summary>The <see cref="CustomerContact"/>s of customers, from Customers' recipients (<see cref="CustomerRecipients"/>) in each one's time zone.</summary>
internal sealed class CustomerDirectory(FlywheelStore store)
{
    public static readonly DateTimeZone DefaultZone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>The contacts of the given customers (missing ids are left out), or of every customer when <paramref name="ids"/> is null.</summary>
    public async Task<Dictionary<string, CustomerContact>> LoadAsync(IReadOnlyCollection<string>? ids, CancellationToken ct)
    {
        var storeZone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? DefaultZone;
        var recipients = await CustomerRecipients.LoadAsync(store, ids, ct);
        var result = new Dictionary<string, CustomerContact>(recipients.Count, StringComparer.Ordinal);
        foreach (var (id, r) in recipients)
        {
            var zone = r.TimeZone is { } z ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(z) ?? storeZone : storeZone;
            result[id] = new CustomerContact(id, r.Name, r.City, r.MemberTier, zone, r.Email, r.Phone, r.WeChatId, r.BirthDate, r.Consents);
        }
        return result;
    }

    public async Task<CustomerContact?> GetAsync(string customerId, CancellationToken ct) =>
        (await LoadAsync([customerId], ct)).GetValueOrDefault(customerId);
}
