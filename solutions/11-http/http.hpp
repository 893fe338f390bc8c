// Chapter 11, HTTP/1.1 (aiohttp's basics): messages, the sans-I/O parsers,
// the server with its router, the client session with its pool, the cache,
// the local httpbin and the source articles' web API.
#pragma once

#include "http_client.hpp"  // ClientSession, ClientOptions, ClientTimeout
#include "http_message.hpp" // HttpError, Headers, Request, Response, serialize
#include "http_parser.hpp"  // Limits, RequestParser, ResponseParser
#include "http_server.hpp"  // Application, serve, ServerOptions
#include "json.hpp"         // json::Value, json::parse
#include "web_api.hpp"      // TtlCache, user_api, httpbin
