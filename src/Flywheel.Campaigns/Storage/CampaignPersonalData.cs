using Flywheel.Customers.Contracts;
using Flywheel.Storage;

namespace Flywheel.Campaigns.Storage;

/// <summary>
/// Campaigns' part of forgetting a customer (Customers' <see cref="IPersonalDataHolder"/>), inside Customers' transaction. The send
/// log keeps each message's row — status, channel, purpose, times, opens, clicks, conversion and revenue — so campaign results do
/// not move, and loses what was addressed to the person: recipient, subject, bodies, unsubscribe link and provider error text.
/// Messages not yet sent are cancelled; the signed click and unsubscribe links of their messages stop resolving; suppressions of
/// their addresses go (the address itself is the personal data); active journey entries exit and every entry's context is dropped.
/// </summary>
internal sealed class CampaignPersonalData(TimeProvider time) : IPersonalDataHolder
{
    private const string ForgottenReason = "customer forgotten";

    public async Task<IReadOnlyList<ErasedCount>> EraseAsync(StoreWrite write, ForgetSubject subject, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(subject);
        var c = ("@c", (object?)subject.CustomerId);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        var addresses = new HashSet<string>(subject.Addresses, StringComparer.Ordinal);
        await using (var command = write.Command("SELECT DISTINCT recipient FROM messages WHERE customer_id = @c AND recipient IS NOT NULL", c))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) addresses.Add(reader.GetString(0));

        var cancelled = await write.ExecuteAsync(
            "UPDATE messages SET status = 'cancelled', last_error = @reason, updated_at = @now WHERE customer_id = @c AND status IN ('queued', 'failed', 'sending')", ct,
            c, ("@reason", ForgottenReason), ("@now", now));
        var blanked = await write.ExecuteAsync(
            "UPDATE messages SET recipient = NULL, subject = NULL, body_text = NULL, body_html = NULL, unsubscribe_url = NULL, " +
            "last_error = CASE WHEN last_error = @reason THEN last_error ELSE NULL END, updated_at = @now " +
            "WHERE customer_id = @c AND (recipient IS NOT NULL OR subject IS NOT NULL OR body_text IS NOT NULL OR body_html IS NOT NULL " +
            "OR unsubscribe_url IS NOT NULL OR (last_error IS NOT NULL AND last_error <> @reason))", ct,
            c, ("@reason", ForgottenReason), ("@now", now));
        var links = await write.ExecuteAsync("DELETE FROM message_tokens WHERE message_id IN (SELECT message_id FROM messages WHERE customer_id = @c)", ct, c);

        var suppressions = 0;
        foreach (var chunk in addresses.Order(StringComparer.Ordinal).Chunk(500))
        {
            var parameters = chunk.Select((a, i) => ("@a" + i, (object?)a)).ToArray();
            suppressions += await write.ExecuteAsync(
                $"DELETE FROM suppressions WHERE address IN ({string.Join(", ", parameters.Select(p => p.Item1))})", ct, parameters);
        }

        var exited = await write.ExecuteAsync(
            "UPDATE journey_entries SET status = 'exited', exit_reason = @reason, due_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = @now " +
            "WHERE customer_id = @c AND status = 'active'", ct, c, ("@reason", ForgottenReason), ("@now", now));
        var contexts = await write.ExecuteAsync("UPDATE journey_entries SET context = NULL WHERE customer_id = @c AND context IS NOT NULL", ct, c);

        return
        [
            new("messages", blanked), new("messages_cancelled", cancelled), new("message_links", links), new("suppressions", suppressions),
            new("journeys_exited", exited), new("journey_contexts", contexts),
        ];
    }
}
