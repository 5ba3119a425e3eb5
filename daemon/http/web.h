/* The analyst's dashboard: the files under web/ built into the binary
 * (web/gen-web.py makes web-assets.c) and served at GET / with a strict
 * Content-Security-Policy: everything comes from claimd itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct server;
struct evhttp_request;

struct web_asset {
        const char *path;               /* "/", "/app.js", ... */
        const char *content_type;
        const unsigned char *data;
        size_t len;
        const char *etag;               /* quoted, from the content's SHA-256 */
};

extern const struct web_asset web_assets[];
extern const size_t n_web_assets;

/* The built-in file served at path, or NULL. */
const struct web_asset *web_asset_find(const char *path);

/* The route table's dashboard row (routes.h) matches the paths of these
 * files (web_asset_exists()); its handler, route_dashboard(), serves them
 * with 304 when If-None-Match matches. */
