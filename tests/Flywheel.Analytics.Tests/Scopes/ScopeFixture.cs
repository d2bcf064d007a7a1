using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Scopes;

/// <summary>
/// A hand-made store for scope tests (Asia/Shanghai; the week of Fri 2026-05-01 .. Thu 05-07, and the week before).
/// <code>
/// customers  u1 广东, u2 浙江, u3 广东, u4 (no province); anon-1 is anonymous
/// products   k1 Cream beauty, k2 Toner beauty, k3 Kettle home
/// orders     o5 u2 04-28 jd      jd-shop  k1 100.00              (before the week: u2's first order)
///            o1 u1 05-01 douyin  flagship k1 100.00              beauty; last touch e1 (spring)
///            o3 u2 05-02 douyin  flagship k2 2 × 50.00 = 100.00  beauty; last touch e3 (spring)
///            o2 u1 05-03 jd      jd-shop  k3 200.00              home;   last touch e2 (no campaign)
///            o4 u3 05-05 tmall   flagship k3 80.00 + k1 60.00    home (largest line); no touch in 30 days
/// events     e8 u2 page_view    04-28 09:00 jd
///            e7 u3 page_view    03-01 09:00 tmall  summer        (65 days before o4: outside the look-back)
///            e1 u1 page_view    05-01 09:00 douyin spring  k1
///            e3 u2 click        05-02 11:00 douyin spring
///            e6 anon-1 page_view 05-02 12:00 douyin spring
///            e2 u1 product_view 05-03 08:00 jd             k3
///            e4 u3 search       05-04 09:00 tmall  summer        (a search is not a touch)
///            e5 u4 product_view 05-06 10:00 douyin summer  k3
/// spend      05-01 douyin spring 100.00 (1,000 impressions, 10 clicks); 05-02 douyin summer 50.00;
///            05-03 jd (no campaign) 30.00; 05-04 tmall summer 20.00
/// </code>
/// </summary>
internal static class ScopeFixture
{
    public static readonly DateOnly From = new(2026, 5, 1);
    public static readonly DateOnly To = new(2026, 5, 7);

    public static async Task<FlywheelStore> OpenAsync(string engine, string folder)
    {
        var store = await TestStores.OpenAsync(engine);
        Task Import(ImportKind kind, string content) => CsvFixtures.ImportAsync(store, folder, kind, content);
        await Import(ImportKind.Customers, "customer_id,name,province\nu1,Li,广东\nu2,Wang,浙江\nu3,Zhao,广东\nu4,Qian,\n");
        await Import(ImportKind.Products, "sku,name,category,list_price\nk1,Cream,beauty,100.00\nk2,Toner,beauty,50.00\nk3,Kettle,home,200.00\n");
        await Import(ImportKind.Orders, """
            order_id,customer_id,placed_at,sku,quantity,unit_price,paid_at,status,channel,store
            o5,u2,2026-04-28T10:00:00+08:00,k1,1,100.00,2026-04-28T10:01:00+08:00,completed,jd,jd-shop
            o1,u1,2026-05-01T10:00:00+08:00,k1,1,100.00,2026-05-01T10:01:00+08:00,paid,douyin,flagship
            o3,u2,2026-05-02T12:00:00+08:00,k2,2,50.00,2026-05-02T12:01:00+08:00,paid,douyin,flagship
            o2,u1,2026-05-03T09:00:00+08:00,k3,1,200.00,2026-05-03T09:01:00+08:00,paid,jd,jd-shop
            o4,u3,2026-05-05T10:00:00+08:00,k3,1,80.00,2026-05-05T10:01:00+08:00,paid,tmall,flagship
            o4,u3,2026-05-05T10:00:00+08:00,k1,1,60.00,2026-05-05T10:01:00+08:00,paid,tmall,flagship
            """);
        await Import(ImportKind.Events, """
            event_id,type,time,customer_id,anonymous_id,channel,campaign,sku
            e8,page_view,2026-04-28T09:00:00+08:00,u2,,jd,,
            e7,page_view,2026-03-01T09:00:00+08:00,u3,,tmall,summer,
            e1,page_view,2026-05-01T09:00:00+08:00,u1,,douyin,spring,k1
            e3,click,2026-05-02T11:00:00+08:00,u2,,douyin,spring,
            e6,page_view,2026-05-02T12:00:00+08:00,,anon-1,douyin,spring,
            e2,product_view,2026-05-03T08:00:00+08:00,u1,,jd,,k3
            e4,search,2026-05-04T09:00:00+08:00,u3,,tmall,summer,
            e5,product_view,2026-05-06T10:00:00+08:00,u4,,douyin,summer,k3
            """);
        await Import(ImportKind.Spend, """
            date,channel,campaign,cost,impressions,clicks
            2026-05-01,douyin,spring,100.00,1000,10
            2026-05-02,douyin,summer,50.00,,
            2026-05-03,jd,,30.00,,
            2026-05-04,tmall,summer,20.00,,
            """);
        return store;
    }
}
