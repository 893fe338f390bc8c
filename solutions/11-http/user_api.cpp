// The source articles' web API: one request gathers three backend calls, each
// through the cache; the user's failure is the answer's failure, the others
// degrade to empty values (the articles' AsyncWebAPI, with gather's
// return_exceptions=True).
#include "combinators.hpp"
#include "web_api.hpp"

namespace aio::http {

namespace {

// The backend's JSON at url; a status >= 400 is an HttpStatusError (so the
// cache never keeps it). Everything by value: the Coro outlives the caller's
// locals.
Coro<json::Value> fetch_json(ClientSession session, std::string url) {
    Response response = co_await session.get(url);
    response.raise_for_status();
    co_return response.json();
}

struct UserApi {
    ClientSession session;
    std::string backend;
    TtlCache<json::Value> cache;

    // The cached backend call for path, as a task (so the three run at once).
    Future<json::Value> cached(std::string path) {
        std::function<Coro<json::Value>()> fetch = [session = session, url = backend + path] {
            return fetch_json(session, url);
        };
        return create_task(cache.get_or_fetch(path, std::move(fetch)));
    }
};

std::string message_of(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

bool is_integer(const std::string& s) {
    return !s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos;
}

Coro<Response> get_user(std::shared_ptr<UserApi> api, Request request) {
    //@scratch ch11.user_api
    //@exercise ch11.user_api  Check the id; gather the three cached calls as outcomes; 502 if the user failed, else the combined JSON.
    std::string id = request.match_info.at("id");
    if (!is_integer(id))
        co_return json_response(json::Value::object({{"error", "user id must be an integer"}}),
                                400);
    std::string base = "/users/" + id;
    std::vector<Future<json::Value>> calls = {api->cached(base), api->cached(base + "/orders"),
                                              api->cached(base + "/preferences")};
    std::vector<Outcome<json::Value>> got = co_await gather_outcomes(calls);
    if (!got[0].ok())
        co_return json_response(
            json::Value::object({{"error", "user service failed: " + message_of(got[0].error())}}),
            502);
    json::Value body = json::Value::object();
    body["user"] = got[0].value();
    body["orders"] = got[1].ok() ? got[1].value() : json::Value::array();
    body["preferences"] = got[2].ok() ? got[2].value() : json::Value::object();
    co_return json_response(body);
    //@end
    //@end
}

} // namespace

Application user_api(ClientSession session, std::string backend_base_url, Duration ttl) {
    auto api = std::make_shared<UserApi>(
        UserApi{std::move(session), std::move(backend_base_url), TtlCache<json::Value>(ttl)});
    Application app;
    app.add_get("/user/{id}", [api](Request request) { return get_user(api, std::move(request)); });
    return app;
}

} // namespace aio::http
