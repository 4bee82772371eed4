{{/*
A service's environment. Plain variables go to its ConfigMap (stampede.configEnv, a YAML map),
secrets to env entries with secretKeyRef (stampede.secretEnv, a YAML list). Both take
(list $root "<service>").
*/}}
{{- define "stampede.configEnv" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $svc := index $root.Values.services $name -}}
{{- $env := dict
  "PORT" (toString $svc.port)
  "LOG_LEVEL" $root.Values.common.logLevel
  "SHUTDOWN_DELAY_MS" (toString (int64 $root.Values.common.drain.shutdownDelayMs))
  "SHUTDOWN_TIMEOUT_MS" (toString (int64 $root.Values.common.drain.shutdownTimeoutMs))
  "OTEL_SERVICE_NAME" $name
-}}
{{- if $root.Values.common.otlpEndpoint -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" $root.Values.common.otlpEndpoint -}}
{{- end -}}
{{- if has "redis" $svc.uses -}}
{{- $_ := set $env "REDIS_NODES" (include "stampede.redisNodes" $root) -}}
{{- end -}}
{{- if has "kafka" $svc.uses -}}
{{- $_ := set $env "KAFKA_BROKERS" (include "stampede.kafkaBootstrap" $root) -}}
{{- if and $root.Values.kafka.auth.enabled (eq $root.Values.kafka.mode "deploy") -}}
{{- $_ := set $env "KAFKA_SASL_MECHANISM" "scram-sha-512" -}}
{{- $_ := set $env "KAFKA_SASL_USERNAME" (printf "%s-%s" (include "stampede.kafkaName" $root) $name) -}}
{{- $_ := set $env "KAFKA_SSL" "true" -}}
{{- $_ := set $env "KAFKA_SSL_CA_FILE" "/etc/stampede/kafka-ca/ca.crt" -}}
{{- end -}}
{{- end -}}
{{- if and (has "postgres" $svc.uses) (include "stampede.dbCaSource" $root) -}}
{{- $_ := set $env "DATABASE_SSL_CA_FILE" (printf "/etc/stampede/db-ca/%s" (eq $root.Values.postgres.mode "cloudnative-pg" | ternary "ca.crt" $root.Values.postgres.external.caBundle.key)) -}}
{{- end -}}
{{- range $k, $v := $root.Values.common.env -}}
{{- $_ := set $env $k (tpl (toString $v) $root) -}}
{{- end -}}
{{- range $k, $v := $svc.env -}}
{{- $_ := set $env $k (tpl (toString $v) $root) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{- define "stampede.secretEnv" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $svc := index $root.Values.services $name -}}
{{- $refs := include "stampede.secretRefs" . | fromYaml -}}
{{- $out := list -}}
{{- range $var := keys $refs | sortAlpha -}}
{{- $ref := index $refs $var -}}
{{- $keyRef := dict "name" (include "stampede.secretName" (list $root $ref.key)) "key" $ref.key -}}
{{- if $ref.optional -}}{{- $_ := set $keyRef "optional" true -}}{{- end -}}
{{- $out = append $out (dict "name" $var "valueFrom" (dict "secretKeyRef" $keyRef)) -}}
{{- end -}}
{{- if and (has "kafka" $svc.uses) $root.Values.kafka.auth.enabled (eq $root.Values.kafka.mode "deploy") -}}
{{- /* The Strimzi User Operator writes each KafkaUser's password into a Secret of the same name. */ -}}
{{- $user := printf "%s-%s" (include "stampede.kafkaName" $root) $name -}}
{{- $out = append $out (dict "name" "KAFKA_SASL_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $user "key" "password"))) -}}
{{- end -}}
{{- if $out -}}{{- toYaml $out -}}{{- end -}}
{{- end -}}

{{/* VAR -> {key, optional} for a service's secret variables: (list $root "<service>"). */}}
{{- define "stampede.secretRefs" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $svc := index $root.Values.services $name -}}
{{- $refs := dict -}}
{{- if has "postgres" $svc.uses -}}{{- $_ := set $refs "DATABASE_URL" (dict "key" (printf "%s-database-url" $name)) -}}{{- end -}}
{{- if and (has "redis" $svc.uses) $root.Values.redis.auth.enabled -}}{{- $_ := set $refs "REDIS_PASSWORD" (dict "key" "redis-password") -}}{{- end -}}
{{- range $var, $ref := $svc.secretEnv -}}
{{- if kindIs "string" $ref -}}
{{- $_ := set $refs $var (dict "key" $ref) -}}
{{- else -}}
{{- $_ := set $refs $var (dict "key" $ref.key "optional" ($ref.optional | default false)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $refs -}}
{{- end -}}

{{/* The volume the database CA bundle comes from (postgres.external.caBundle), or nothing. */}}
{{- define "stampede.dbCaSource" -}}
{{- $ca := .Values.postgres.external.caBundle | default dict -}}
{{- if eq .Values.postgres.mode "cloudnative-pg" -}}
{{- /* The operator's CA, which signs its server certificates. */ -}}
{{- toYaml (dict "secret" (dict "secretName" (printf "%s-ca" (include "stampede.cnpgName" .)) "items" (list (dict "key" "ca.crt" "path" "ca.crt")))) -}}
{{- else if and (eq .Values.postgres.mode "external") (or $ca.secretName $ca.configMapName) -}}
{{- if $ca.secretName -}}{{- toYaml (dict "secret" (dict "secretName" $ca.secretName)) -}}{{- else -}}{{- toYaml (dict "configMap" (dict "name" $ca.configMapName)) -}}{{- end -}}
{{- end -}}
{{- end -}}

{{/*
CA bundles a service's containers mount, as {volumes, volumeMounts}: the database's
(DATABASE_SSL_CA_FILE) and, with Kafka auth on, the Strimzi cluster CA (KAFKA_SSL_CA_FILE).
*/}}
{{- define "stampede.caMounts" -}}
{{- $root := index . 0 -}}
{{- $svc := index $root.Values.services (index . 1) -}}
{{- $volumes := list -}}
{{- $mounts := list -}}
{{- $db := include "stampede.dbCaSource" $root | fromYaml -}}
{{- if and (has "postgres" $svc.uses) $db -}}
{{- $volumes = append $volumes (merge (dict "name" "db-ca") $db) -}}
{{- $mounts = append $mounts (dict "name" "db-ca" "mountPath" "/etc/stampede/db-ca" "readOnly" true) -}}
{{- end -}}
{{- if and (has "kafka" $svc.uses) $root.Values.kafka.auth.enabled (eq $root.Values.kafka.mode "deploy") -}}
{{- /* The Strimzi Cluster Operator keeps the cluster CA in <cluster>-cluster-ca-cert. */ -}}
{{- $volumes = append $volumes (dict "name" "kafka-ca" "secret" (dict "secretName" (printf "%s-cluster-ca-cert" (include "stampede.kafkaName" $root)) "items" (list (dict "key" "ca.crt" "path" "ca.crt")))) -}}
{{- $mounts = append $mounts (dict "name" "kafka-ca" "mountPath" "/etc/stampede/kafka-ca" "readOnly" true) -}}
{{- end -}}
{{- toYaml (dict "volumes" $volumes "volumeMounts" $mounts) -}}
{{- end -}}
