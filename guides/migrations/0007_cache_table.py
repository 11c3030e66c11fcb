from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The embedded shared cache (settings.CACHES) is a database table: created with the schema, so every `migrate`
    # (make run, tests' fresh databases, a deployment) has it; a no-op when the cache is Redis.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("guides", "0006_formfield_choices_en")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
