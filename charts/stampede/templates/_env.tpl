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
{{- end -}}
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
{{- $secret := include "stampede.secretName" $root -}}
{{- $refs := include "stampede.secretRefs" . | fromYaml -}}
{{- $out := list -}}
{{- range $var := keys $refs | sortAlpha -}}
{{- $ref := index $refs $var -}}
{{- $keyRef := dict "name" $secret "key" $ref.key -}}
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
