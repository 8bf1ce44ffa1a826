//! The platform's own tables (present in every service's database).

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Int2,
        body -> Jsonb,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor -> Text,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        reason -> Nullable<Text>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        // NULL until the deferred trigger audit_log_position gives it a position at commit.
        position -> Nullable<Int8>,
    }
}

diesel::table! {
    inconsistencies (id) {
        id -> Uuid,
        subject -> Text,
        description -> Text,
        value_a -> Text,
        ref_a -> Text,
        value_b -> Text,
        ref_b -> Text,
    }
}
