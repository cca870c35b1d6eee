// Validates Strimzi objects with the validators @kubernetes-models/strimzi-kafka-operator generates from
// Strimzi's CRDs. Usage: node strimzi_validate.mjs <node_modules dir> < objects.json
// Prints [{kind, name, errors: [{path, message}]}] for every object given.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const objects = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const object of objects) {
  const [group, version] = object.apiVersion.split("/");
  const file = join(modules, "@kubernetes-models", "strimzi-kafka-operator", group, version, `${object.kind}.js`);
  const model = await import(pathToFileURL(file).href);
  const errors = [];
  try {
    new model[object.kind](object).validate();
  } catch (error) {
    for (const e of error.errors ?? [{ instancePath: "", message: String(error) }]) {
      errors.push({ path: e.instancePath, message: `${e.message} ${JSON.stringify(e.params ?? {})}` });
    }
  }
  results.push({ kind: object.kind, name: object.metadata.name, errors });
}
process.stdout.write(JSON.stringify(results));
