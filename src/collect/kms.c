/*
 * kms.c — the KMS collector for one region: aws_kms_key for every key (ListKeys), each
 * with DescribeKey's KeyMetadata, KeyRotationEnabled (GetKeyRotationStatus, customer-managed
 * symmetric keys only; null otherwise), the decoded key Policy (GetKeyPolicy) and Tags
 * (ListResourceTags, renamed to Key/Value), as docs/resources.md describes.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

static const struct collect_paging MARKER = {"Marker", "NextMarker", "Truncated"};

struct key_arg {
    char *region, *key_id;
};

static void key_arg_free(void *p)
{
    struct key_arg *k = p;
    free(k->region);
    free(k->key_id);
    free(k);
}

static void key_task(struct collect_ctx *ctx, void *arg)
{
    struct key_arg *k = arg;
    const char *id[] = {"KeyId", k->key_id};
    json_t *d = collect_call(ctx, "kms", k->region, "DescribeKey", id, 1, NULL, NULL);
    json_t *meta = json_object_get(d, "KeyMetadata");
    if (!meta) {
        json_decref(d);
        return; /* recorded */
    }
    json_t *data = json_deep_copy(meta);
    json_decref(d);
    const char *manager = json_string_value(json_object_get(data, "KeyManager"));
    const char *spec = json_string_value(json_object_get(data, "KeySpec"));
    const char *state = json_string_value(json_object_get(data, "KeyState"));
    int rotatable = manager && strcmp(manager, "CUSTOMER") == 0 &&
                    (!spec || strcmp(spec, "SYMMETRIC_DEFAULT") == 0) &&
                    !(state && strcmp(state, "PendingDeletion") == 0);
    json_object_set_new(data, "KeyRotationEnabled", json_null());
    if (rotatable) {
        static const char *const quiet[] = {"UnsupportedOperationException", NULL};
        const char *hit;
        json_t *r = collect_call(ctx, "kms", k->region, "GetKeyRotationStatus", id, 1, quiet, &hit);
        if (r)
            json_object_set(data, "KeyRotationEnabled", json_object_get(r, "KeyRotationEnabled"));
        json_decref(r);
    }
    const char *pp[] = {"KeyId", k->key_id, "PolicyName", "default"};
    json_t *p = collect_call(ctx, "kms", k->region, "GetKeyPolicy", pp, 2, NULL, NULL);
    if (p) {
        const char *text = json_string_value(json_object_get(p, "Policy"));
        json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
        json_object_set_new(data, "Policy", doc ? doc : text ? json_string(text) : json_null());
        json_decref(p);
    }
    if (manager && strcmp(manager, "CUSTOMER") == 0) { /* AWS-managed keys carry no tags */
        const char *keys[] = {"Tags"};
        json_t *tags[1];
        if (collect_pages(ctx, "kms", k->region, "ListResourceTags", id, 1, &MARKER, keys, tags, 1) == 0) {
            json_t *out = json_array();
            size_t i;
            json_t *t;
            json_array_foreach(tags[0], i, t)
                json_array_append_new(out, json_pack("{s:O?, s:O?}", "Key", json_object_get(t, "TagKey"),
                                                     "Value", json_object_get(t, "TagValue")));
            json_object_set_new(data, "Tags", out);
        }
        json_decref(tags[0]);
    } else {
        json_object_set_new(data, "Tags", json_array());
    }
    sink_resource(ctx->sink, "aws_kms_key", k->region, k->key_id,
                  json_string_value(json_object_get(data, "Arn")), data);
}

static void keys(struct collect_ctx *ctx, void *region)
{
    const char *keys[] = {"Keys"};
    json_t *out[1];
    if (collect_pages(ctx, "kms", region, "ListKeys", NULL, 0, &MARKER, keys, out, 1) == 0) {
        size_t i;
        json_t *k;
        json_array_foreach(out[0], i, k)
        {
            const char *id = json_string_value(json_object_get(k, "KeyId"));
            if (!id)
                continue;
            struct key_arg *a = xcalloc(1, sizeof *a);
            a->region = xstrdup(region);
            a->key_id = xstrdup(id);
            collect_spawn(ctx, key_task, a, key_arg_free);
        }
    }
    json_decref(out[0]);
}

void collect_kms(struct collect_ctx *ctx, const char *region) { collect_spawn_region(ctx, keys, region); }
