// @generated automatically by Diesel CLI.

diesel::table! {
    adherents (id) {
        id -> Uuid,
        intervento_code -> Text,
        ente_id -> Uuid,
        adhered_on -> Date,
        act_ref -> Text,
        priority -> Bool,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    adhesion_events (id) {
        id -> Int8,
        adhesion_id -> Uuid,
        from_state -> Nullable<Text>,
        to_state -> Text,
        on_date -> Date,
        act_ref -> Nullable<Text>,
        actor -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    adhesions (id) {
        id -> Uuid,
        ente_id -> Uuid,
        service_number -> Int4,
        sub_service -> Text,
        service_version -> Int4,
        service_name -> Text,
        via_aggregation_id -> Nullable<Uuid>,
        state -> Text,
        requested_on -> Date,
        request_act -> Nullable<Text>,
        commitment_signed_on -> Nullable<Date>,
        commitment_act -> Nullable<Text>,
        activated_on -> Nullable<Date>,
        activation_act -> Nullable<Text>,
        ceased_on -> Nullable<Date>,
        cessation_act -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    aggregation_members (aggregation_id, member_id) {
        aggregation_id -> Uuid,
        member_id -> Uuid,
    }
}

diesel::table! {
    declared_adherents (intervento_code) {
        intervento_code -> Text,
        unit -> Text,
        declared_count -> Int4,
        declared_priority -> Nullable<Int4>,
        source_ref -> Text,
    }
}

diesel::table! {
    enti (id) {
        id -> Uuid,
        code -> Text,
        kind -> Text,
        name -> Text,
        #[max_length = 6]
        istat_code -> Nullable<Bpchar>,
        #[max_length = 3]
        province_code -> Nullable<Bpchar>,
        province_short -> Nullable<Text>,
        #[max_length = 2]
        region_code -> Nullable<Bpchar>,
        #[max_length = 4]
        cadastral_code -> Nullable<Bpchar>,
        population -> Nullable<Int4>,
        piccolo_comune -> Nullable<Bool>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        existed_from -> Nullable<Date>,
        ceased_on -> Nullable<Date>,
        population_as_of -> Nullable<Date>,
    }
}

diesel::table! {
    figures_generation (singleton) {
        singleton -> Bool,
        generation -> Int8,
    }
}

diesel::table! {
    figures_summaries (as_of, service_number, region_code, generation) {
        as_of -> Date,
        service_number -> Int4,
        region_code -> Text,
        generation -> Int8,
        figures -> Text,
    }
}

diesel::joinable!(adherents -> enti (ente_id));
diesel::joinable!(adhesions -> enti (ente_id));
diesel::joinable!(adhesion_events -> adhesions (adhesion_id));

diesel::allow_tables_to_appear_in_same_query!(
    adherents,
    adhesion_events,
    adhesions,
    aggregation_members,
    declared_adherents,
    enti,
    figures_generation,
    figures_summaries,
);
