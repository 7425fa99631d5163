/*
 * shapes.h — the AWS response shapes ansim understands (private to src/aws/). The tables are
 * generated from botocore's service models by tools/gen_shapes.py into shapes_gen.c; xml.c
 * walks them to turn XML responses into JSON with AWS's field names.
 */
#ifndef ANSIM_AWS_SHAPES_H
#define ANSIM_AWS_SHAPES_H

#include <stddef.h>

enum aws_shape_type {
    SH_STRUCT,
    SH_LIST,
    SH_MAP,
    SH_STRING,
    SH_INT,
    SH_BOOL,
    SH_DOUBLE,
    SH_TIMESTAMP, /* XML: the text as sent; JSON protocols: epoch seconds, turned into RFC 3339 */
    SH_POLICY     /* a URL-encoded JSON policy document (IAM): decoded into JSON */
};

struct aws_shape {
    unsigned char type, flattened;
    const char *member_xml;          /* list: element name of each item ("member", "item", ...) */
    int member;                      /* list: item shape; map: value shape */
    int key;                         /* map: key shape */
    const char *key_xml, *value_xml; /* map: element names inside each <entry> */
    int first, n;                    /* structure: its members in aws_members[first..first+n) */
};

struct aws_member {
    const char *name;     /* JSON field name (the API's member name) */
    const char *xml_name; /* XML element name (locationName, or the member name) */
    int shape;
    unsigned char flattened; /* a list whose items repeat directly under the parent */
    unsigned char attribute; /* an XML attribute of the parent element (S3's xsi:type) */
};

struct aws_op {
    const char *service, *op, *protocol, *version;
    const char *result_wrapper;       /* query protocol: <OpResult> inside <OpResponse>; NULL otherwise */
    int output;                       /* shape index, -1 for no output (the payload member's shape when
                                   payload is set) */
    const char *method, *request_uri; /* REST protocols: "GET", "/{Bucket}?policy" */
    const char *target_prefix;        /* JSON protocol: X-Amz-Target is "<prefix>.<op>" */
    const char *json_version;         /* JSON protocol: "1.0" or "1.1" */
    const char *payload;              /* REST: the output member that is the whole body */
    const char *signing_name;         /* the SigV4 service name ("s3" for s3control) */
};

/* Where a service is reached (botocore's metadata and endpoints data). */
struct aws_service {
    const char *service;         /* the name in the table: "elbv2" */
    const char *endpoint_prefix; /* the host's first label: "elasticloadbalancing" */
    const char *service_id;      /* "Elastic Load Balancing v2" (AWS_ENDPOINT_URL_<ID>) */
    const char *global_host;     /* a global service's host in the aws partition, else NULL */
    const char *regions;         /* " r1 r2 ... ": the aws-partition regions offering it; NULL: all */
};
extern const char aws_known_regions[]; /* " r1 r2 ... ": the aws-partition regions botocore knows */
extern const struct aws_service aws_services[];
extern const size_t aws_nservices;
/* The entry of service, or NULL. */
const struct aws_service *aws_find_service(const char *service);

/* The table entry of service:op, or NULL. */
const struct aws_op *aws_find_op(const char *service, const char *op);

/* The entry of service:op when client c may send it (aws_client_op_allowed), else NULL. */
struct aws_client;
const struct aws_op *aws_client_op(const struct aws_client *c, const char *service, const char *op);

extern const struct aws_shape aws_shapes[];
extern const struct aws_member aws_members[];
extern const struct aws_op aws_ops[];
extern const size_t aws_nops;

#endif
