// @generated automatically by Diesel CLI.

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
        position -> Nullable<Int8>,
    }
}

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

diesel::allow_tables_to_appear_in_same_query!(audit_log, idempotency_keys, inconsistencies,);
