namespace Flywheel.Hosting.Access;

/// <summary>
/// Personal data as roles without <see cref="Permission.PersonalData"/> see it (PIPL data minimisation): enough to recognise, not to
/// contact. Phones keep the first three and last four digits (138****1234), emails the first letter and the domain (z***@qq.com),
/// names the first character (王**), birth dates the year, addresses the province and city only, ids the first two characters.
/// </summary>
public static class Masking
{
    public static string? Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone)) return phone;
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        // +86 is the country, not the number: 138****1234 whether the phone was written with it or not (as identities are stored).
        if (phone.TrimStart().StartsWith("+86", StringComparison.Ordinal)) digits = digits[2..];
        return digits.Length >= 7 ? digits[..3] + "****" + digits[^4..] : new string('*', digits.Length);
    }

    public static string? Email(string? email)
    {
        if (string.IsNullOrEmpty(email)) return email;
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : email[..1] + "***" + email[at..];
    }

    public static string? Name(string? name) =>
        string.IsNullOrEmpty(name) ? name : name[..1] + new string('*', Math.Clamp(name.Length - 1, 1, 4));

    /// <summary>yyyy-MM-dd → yyyy.</summary>
    public static string? BirthDate(string? date) => string.IsNullOrEmpty(date) ? date : date.Length >= 4 ? date[..4] : "****";

    /// <summary>A platform buyer id or an address line: the first two characters.</summary>
    public static string? Text(string? value) =>
        string.IsNullOrEmpty(value) ? value : value.Length <= 2 ? new string('*', value.Length) : value[..2] + "***";

    /// <summary>An identity by its kind (phone, email, taobao, jd, pinduoduo, douyin, wechat_openid, wechat_unionid).</summary>
    public static string? Identity(string kind, string? value) => kind switch
    {
        "phone" => Phone(value),
        "email" => Email(value),
        _ => Text(value),
    };
}
