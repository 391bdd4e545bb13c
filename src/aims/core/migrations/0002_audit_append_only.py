"""The audit trail is append-only in the database itself: triggers refuse UPDATE and DELETE.

Someone with direct write access to the database file can still drop the trigger; the hash chain
(and exported checkpoints) detects what they then change."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_REVERSE if vendor == "sqlite" else POSTGRES_REVERSE if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
