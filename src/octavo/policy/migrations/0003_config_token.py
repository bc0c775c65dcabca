"""A change to any circulation policy row changes the configuration token
(octavo.shared.change_token), so every process reads the matrix again."""

from django.db import migrations

from octavo.shared.change_token import Watched

WATCHED = Watched("policy_policyrule", "policy_rule")


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_default_rule"), ("district", "0003_configversion")]
    operations = [migrations.RunPython(WATCHED.forwards, WATCHED.backwards)]
