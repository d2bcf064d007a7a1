-- wrk -t1 -c32 -d20s -s bench/wrk/price-cart.lua http://127.0.0.1:5091/v1/carts/price
-- Posts docs/examples/promotions/cart.json (3 lines, 2 stores, 4 held coupons) on every request.
local f = assert(io.open("docs/examples/promotions/cart.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
