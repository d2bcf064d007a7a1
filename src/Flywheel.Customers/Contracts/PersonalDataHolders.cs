using Flywheel.Storage;

namespace Flywheel.Customers.Contracts;

/// <summary>
/// Who is being forgotten: the customer id (kept everywhere: it is the shop's pseudonymous key that orders, events and segments
/// hang on) and every string that named or reached the person before this erasure (their e-mail addresses, phone numbers and
/// platform buyer ids, each identity's value, and the addresses their messages went to). A holder erases rows that carry these.
/// </summary>
public sealed record ForgetSubject(string CustomerId, IReadOnlyCollection<string> Addresses);

/// <summary>How many items of one kind an erasure removed or blanked (kind: a stable snake_case word such as "messages").</summary>
public sealed record ErasedCount(string Kind, long Count);

/// <summary>
/// A module that keeps personal data of customers in its own tables (Campaigns: the send log, signed links, suppressions, journey
/// contexts) and erases it when Customers forgets a customer (<c>flywheel customers forget</c>, <c>POST /v1/customers/{id}/forget</c>).
/// Customers owns the erasure and runs every registered holder inside its own write transaction, so the erasure is all or nothing;
/// the dependency is inverted because the holders' modules depend on Customers, not the other way round.
/// </summary>
public interface IPersonalDataHolder
{
    /// <summary>
    /// Erases the subject's personal data inside <paramref name="write"/> (never commits it) and says how much, per kind; kinds are
    /// the holder's own and always listed, with 0 when nothing was left. Must be idempotent: a second call erases nothing more.
    /// Keeps what aggregates need (statuses, times, amounts, the customer id).
    /// </summary>
    Task<IReadOnlyList<ErasedCount>> EraseAsync(StoreWrite write, ForgetSubject subject, CancellationToken ct);
}
