"""moto_server for the handler tests, with one correction of moto 5.2.1.

ListSecretVersionIds: moto answers every version's CreatedDate with the time of the listing call;
AWS answers the time the version was created ("CreatedDate: The date and time this version of the
secret was created", API reference, ListSecretVersionIds). The rotation function orders versions by
it (which credential superseded which), so the tests need the documented value: this wrapper
answers the version's own creation time, as moto already records it and as GetSecretValue returns it.
Everything else is moto's own server (`moto.server.main`), with the same arguments as `moto_server`.
"""
import json
import sys

from moto.secretsmanager.models import SecretsManagerBackend
from moto.server import main


def list_secret_version_ids(self, secret_id: str) -> str:
    answer = json.loads(_original(self, secret_id))
    secret = self.secrets[secret_id]
    for entry in answer["Versions"]:
        created = secret.versions[entry["VersionId"]].get("createdate")
        if created is not None:
            entry["CreatedDate"] = created
    return json.dumps(answer)


_original = SecretsManagerBackend.list_secret_version_ids
SecretsManagerBackend.list_secret_version_ids = list_secret_version_ids

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
