// The chapter's applications: the source articles' web API (a user with
// orders and preferences, gathered from a backend through a cache) and a
// local httpbin to try clients against.
#pragma once

#include <string>

#include "http_client.hpp"
#include "http_server.hpp"
#include "ttl_cache.hpp"

namespace aio::http {

// The source articles' AsyncWebAPI: GET /user/{id} gathers (outcomes) the
// backend's /users/{id}, /users/{id}/orders and /users/{id}/preferences, each
// through one TtlCache: {"user": ..., "orders": [...] or [], "preferences":
// {...} or {}}; the user call failing (an error or a status >= 400): 502
// {"error": "..."}; a non-integer id: 400 {"error": "..."}.
Application user_api(ClientSession session, std::string backend_base_url, Duration ttl);

// Given: /delay/{seconds}, /status/{code}, /redirect/{n}, /get, /json,
// /bytes/{n}, /stream/{n} (chunked), /headers, /anything (echoes method,
// headers, query and body as JSON), as httpbin.org does.
Application httpbin();

} // namespace aio::http
