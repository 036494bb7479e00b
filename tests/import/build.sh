#!/usr/bin/env bash
# tests/import/build.sh [-o DIR] - the broken and bad plans the import
# tests read, made with jq from the real plans in ../shared/import/ (which
# stay outside the repository: CI has ../shared beside the clone).  Each
# variant is a small, named jq edit of a real plan, so what it breaks is
# visible here and the fixtures follow the shared plans when those change.
#   portmap-no-psc-fw      google_compute_firewall.allow_psc removed
#   portmap-accept-other   the accept list names another project
#   portmap-neg-module     the NEG and its endpoints in module "neg" with
#                          count = 1, reached through var.* and an output
#   portmap-neg-module-dup the same, broker-node2's endpoint on client
#                          port 9093 too (a duplicate client port)
#   portmap-unresolved     bastion's subnetwork refers to a local
#   portmap-dup-subnet     two subnetworks named brokers-subnet
#   portmap-fw-policy      plus a google_compute_network_firewall_policy
#   state.json, show-state.json, config.tf.json, garbage.json, topology,
#   main.tf, big.json (17 MiB, sparse)   not plans
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/import-fixtures
[ "${1:-}" = -o ] && out=$2
shared=${PSCLAB_SHARED:-../shared}/import
for f in "$shared/portmap/plan.json" "$shared/proxy/plan.json"; do
	[ -r "$f" ] || { echo "build.sh: $f is missing (../shared beside the repository)" >&2; exit 1; }
done
mkdir -p "$out"
pm=$shared/portmap/plan.json

# drop a resource (planned value, configuration, change) by address
drop='def drop($a):
  .planned_values.root_module.resources |= map(select(.address != $a))
  | .configuration.root_module.resources |= map(select(.address != $a))
  | .resource_changes |= map(select(.address != $a));'

jq "$drop"' drop("google_compute_firewall.allow_psc")' "$pm" >"$out/portmap-no-psc-fw.json"

jq '(.planned_values.root_module.resources[]
     | select(.address == "google_compute_service_attachment.kafka_psc")
     | .values.consumer_accept_lists[0].project_id_or_num) = "other-project-123"' \
	"$pm" >"$out/portmap-accept-other.json"

# the NEG in a child module with count = 1
neg_module='
  def isneg: .type == "google_compute_region_network_endpoint_group"
             or .type == "google_compute_region_network_endpoint";
  (.planned_values.root_module.resources | map(select(isneg))) as $negs
  | (.configuration.root_module.resources | map(select(isneg))) as $cfg
  | .planned_values.root_module.resources |= map(select(isneg | not))
  | .configuration.root_module.resources |= map(select(isneg | not))
  | .planned_values.root_module.child_modules = [{
      address: "module.neg[0]",
      resources: ($negs | map(.address = "module.neg[0]." + .address))}]
  | .configuration.root_module.module_calls.neg = {
      source: "./modules/neg",
      count_expression: {constant_value: 1},
      expressions: {
        network: {references: ["google_compute_network.kafka_vpc.id", "google_compute_network.kafka_vpc"]},
        subnetwork: {references: ["google_compute_subnetwork.brokers.id", "google_compute_subnetwork.brokers"]},
        instances: {references: ["google_compute_instance.broker"]},
        brokers: {references: ["local.brokers"]}},
      module: {
        outputs: {neg_id: {expression: {references: [
          "google_compute_region_network_endpoint_group.kafka_neg.id",
          "google_compute_region_network_endpoint_group.kafka_neg"]}}},
        resources: ($cfg | map(
          if .type == "google_compute_region_network_endpoint_group" then
            .expressions.network.references = ["var.network"]
            | .expressions.subnetwork.references = ["var.subnetwork"]
          else
            .for_each_expression.references = ["var.brokers"]
            | .expressions.instance.references = ["var.instances", "each.key"]
          end))}}
  | (.configuration.root_module.resources[]
     | select(.address == "google_compute_region_backend_service.kafka_lb")
     | .expressions.backend[0].group.references) =
       ["module.neg[0].neg_id", "module.neg[0]", "module.neg"]
  | .resource_changes |= map(if isneg then .address = "module.neg[0]." + .address
                             | .module_address = "module.neg[0]" else . end)'
jq "$neg_module" "$pm" >"$out/portmap-neg-module.json"
jq '(.planned_values.root_module.child_modules[0].resources[]
     | select(.index == "broker-node2") | .values.client_destination_port) = 9093' \
	"$out/portmap-neg-module.json" >"$out/portmap-neg-module-dup.json"

jq '(.configuration.root_module.resources[]
     | select(.address == "google_compute_instance.bastion")
     | .expressions.network_interface[0].subnetwork.references) = ["local.subnet_id"]' \
	"$pm" >"$out/portmap-unresolved.json"

jq '(.planned_values.root_module.resources
     | map(select(.address == "google_compute_subnetwork.brokers"))[0]) as $s
  | .planned_values.root_module.resources += [$s | .address = "google_compute_subnetwork.brokers2" | .name = "brokers2"]
  | (.configuration.root_module.resources
     | map(select(.address == "google_compute_subnetwork.brokers"))[0]) as $c
  | .configuration.root_module.resources += [$c | .address = "google_compute_subnetwork.brokers2" | .name = "brokers2"]' \
	"$pm" >"$out/portmap-dup-subnet.json"

jq '.planned_values.root_module.resources += [{
      address: "google_compute_network_firewall_policy.policy", mode: "managed",
      type: "google_compute_network_firewall_policy", name: "policy",
      index: null, values: {name: "kafka-policy"}}]' "$pm" >"$out/portmap-fw-policy.json"

# not plans
jq -n '{version: 4, terraform_version: "1.12.6", serial: 3, lineage: "0f0e", outputs: {}, resources: []}' >"$out/state.json"
jq -n '{format_version: "1.0", terraform_version: "1.12.6", values: {root_module: {}}}' >"$out/show-state.json"
jq -n '{resource: {google_compute_network: {kafka_vpc: {name: "kafka-vpc"}}}}' >"$out/config.tf.json"
printf '{"format_version": "1.2", "planned_values": {\n  "root_module": [1, 2,\n' >"$out/garbage.json"
printf 'this is not a plan\n' >"$out/garbage.txt"
cp "$shared/portmap/main.tf" "$out/main.tf"
cp topologies/portmap.yaml "$out/topology.json"
rm -f "$out/big.json"
truncate -s 17M "$out/big.json"
echo "build.sh: fixtures in $out"
