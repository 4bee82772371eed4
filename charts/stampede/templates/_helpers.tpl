{{/* Names: <release>-stampede unless the release name already holds the chart name. */}}
{{- define "stampede.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stampede.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "stampede.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels. Call with the root context. */}}
{{- define "stampede.labels" -}}
helm.sh/chart: {{ include "stampede.chart" . }}
app.kubernetes.io/name: {{ include "stampede.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stampede
{{- end -}}

{{- define "stampede.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stampede.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Per-component labels: (list $root "gateway"). */}}
{{- define "stampede.componentLabels" -}}
{{ include "stampede.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
Labels of stateful pods (Redis, PostgreSQL) and of the Strimzi resources, which Strimzi copies
onto the Kafka pods: no chart or app version, so a chart upgrade does not restart the stores.
*/}}
{{- define "stampede.stableLabels" -}}
{{ include "stampede.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
app.kubernetes.io/part-of: stampede
{{- end -}}

{{- define "stampede.componentSelector" -}}
{{ include "stampede.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* <fullname>-<component>: (list $root "auth"). */}}
{{- define "stampede.componentName" -}}
{{- printf "%s-%s" (include "stampede.fullname" (index . 0)) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* In-cluster base URL of a service: (list $root "auth"). */}}
{{- define "stampede.serviceUrl" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $svc := required (printf "services.%s is not defined" $name) (index $root.Values.services $name) -}}
{{- printf "http://%s.%s.svc:%v" (include "stampede.componentName" (list $root $name)) $root.Release.Namespace $svc.port -}}
{{- end -}}

{{/* Image reference of a service: (list $root "auth"). */}}
{{- define "stampede.image" -}}
{{- $root := index . 0 -}}
{{- $svc := index $root.Values.services (index . 1) -}}
{{- $img := $svc.image | default dict -}}
{{- $repo := $img.repository | default (compact (list $root.Values.image.registry $root.Values.image.namespace (index . 1)) | join "/") -}}
{{- $tag := $img.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $repo $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/*
Secret keys come in groups, each of which may live in a Secret the user manages
(secrets.existingSecrets.<group>, else secrets.existingSecret): redis (redis-password),
postgres (postgres-password, <service>-database-url), identity (internal-identity-keys: the
gateway signs, every service checks) and one per service for the other keys its secretEnv names. (list $root "<key>") -> the group.
*/}}
{{- define "stampede.secretGroup" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- if eq $key "redis-password" -}}redis
{{- else if or (eq $key "postgres-password") (hasSuffix "-database-url" $key) -}}postgres
{{- else if eq $key "internal-identity-keys" -}}identity
{{- else -}}
{{- $group := "" -}}
{{- range $name, $svc := $root.Values.services -}}
{{- range $var, $ref := $svc.secretEnv -}}
{{- if and (not $group) (eq $key (kindIs "string" $ref | ternary $ref (toString (get (kindIs "map" $ref | ternary $ref dict) "key")))) -}}{{- $group = $name -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- $group | default "other" -}}
{{- end -}}
{{- end -}}

{{/* The Secret that holds a key: (list $root "<key>"). */}}
{{- define "stampede.secretName" -}}
{{- $root := index . 0 -}}
{{- $group := include "stampede.secretGroup" . -}}
{{- index ($root.Values.secrets.existingSecrets | default dict) $group | default $root.Values.secrets.existingSecret | default (include "stampede.fullname" $root) -}}
{{- end -}}

{{/* Dependency endpoints. */}}
{{- define "stampede.redisName" -}}{{ include "stampede.componentName" (list . "redis") }}{{- end -}}
{{- define "stampede.postgresName" -}}{{ include "stampede.componentName" (list . "postgres") }}{{- end -}}
{{- define "stampede.kafkaName" -}}{{ include "stampede.componentName" (list . "kafka") }}{{- end -}}

{{- define "stampede.redisNodes" -}}
{{- if eq .Values.redis.mode "external" -}}
{{- required "redis.external.nodes is required when redis.mode=external" .Values.redis.external.nodes -}}
{{- else -}}
{{- $name := include "stampede.redisName" . -}}
{{- $nodes := list -}}
{{- range $i := until (int .Values.redis.cluster.nodes) -}}
{{- $nodes = append $nodes (printf "%s-%d.%s-headless.%s.svc:6379" $name $i $name $.Release.Namespace) -}}
{{- end -}}
{{- join "," $nodes -}}
{{- end -}}
{{- end -}}

{{- define "stampede.kafkaBootstrap" -}}
{{- if eq .Values.kafka.mode "external" -}}
{{- required "kafka.external.bootstrapServers is required when kafka.mode=external" .Values.kafka.external.bootstrapServers -}}
{{- else if .Values.kafka.auth.enabled -}}
{{- printf "%s-kafka-bootstrap.%s.svc:9093" (include "stampede.kafkaName" .) .Release.Namespace -}}
{{- else -}}
{{- printf "%s-kafka-bootstrap.%s.svc:9092" (include "stampede.kafkaName" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{- define "stampede.cnpgName" -}}{{ include "stampede.componentName" (list . "db") }}{{- end -}}

{{/* The basic-auth Secret CloudNativePG creates the application user with. */}}
{{- define "stampede.cnpgAppSecret" -}}
{{- .Values.postgres.cloudnativePg.appSecret | default (printf "%s-app" (include "stampede.cnpgName" .)) -}}
{{- end -}}

{{/* The sslmode the chart's DATABASE_URLs carry: the operator's CA is always verified. */}}
{{- define "stampede.postgresSslmode" -}}
{{- if eq .Values.postgres.mode "external" -}}{{ .Values.postgres.external.sslmode }}
{{- else if eq .Values.postgres.mode "cloudnative-pg" -}}verify-full
{{- end -}}
{{- end -}}

{{- define "stampede.postgresHost" -}}
{{- if eq .Values.postgres.mode "external" -}}
{{- required "postgres.external.host is required when postgres.mode=external" .Values.postgres.external.host -}}
{{- else if eq .Values.postgres.mode "cloudnative-pg" -}}
{{- printf "%s-rw.%s.svc" (include "stampede.cnpgName" .) .Release.Namespace -}}
{{- else -}}
{{- printf "%s.%s.svc" (include "stampede.postgresName" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/*
The Secret keys the release needs, as a YAML list: what an existingSecret must hold.
(dict "root" $ "optional" true) lists the optional ones instead.
*/}}
{{- define "stampede.secretKeys" -}}
{{- $root := .root | default . -}}
{{- $wantOptional := .optional | default false -}}
{{- $keys := list -}}
{{- range $name, $svc := $root.Values.services -}}
{{- if $svc.enabled -}}
{{- range $var, $ref := include "stampede.secretRefs" (list $root $name) | fromYaml -}}
{{- if eq ($ref.optional | default false) $wantOptional -}}{{- $keys = append $keys $ref.key -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $wantOptional -}}{{- toYaml (uniq $keys | sortAlpha) -}}{{- else -}}
{{- if $root.Values.redis.auth.enabled -}}{{- $keys = append $keys "redis-password" -}}{{- end -}}
{{- if has $root.Values.postgres.mode (list "deploy" "cloudnative-pg") -}}{{- $keys = append $keys "postgres-password" -}}{{- end -}}
{{- toYaml (uniq $keys | sortAlpha) -}}
{{- end -}}
{{- end -}}

{{/* The pod-level scheduling, security and image pull settings shared by every workload. */}}
{{- define "stampede.podSecurityContext" -}}
{{ toYaml .Values.common.podSecurityContext }}
{{- end -}}

{{- define "stampede.containerSecurityContext" -}}
{{ toYaml .Values.common.securityContext }}
{{- end -}}

{{- define "stampede.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* terminationGracePeriodSeconds: preStop + shutdown delay + drain timeout + margin. */}}
{{- define "stampede.gracePeriod" -}}
{{- $d := .Values.common.drain -}}
{{- $drainSeconds := div (add (int64 $d.shutdownDelayMs) (int64 $d.shutdownTimeoutMs) 999) 1000 -}}
{{- add (int64 $d.preStopSeconds) $drainSeconds (int64 $d.graceMarginSeconds) -}}
{{- end -}}

{{/*
Fails early, with the fix, when a feature needs an operator whose API the cluster does not serve
(helm template: pass --api-versions). (list $root "kafka.strimzi.io/v1" "kafka.mode=deploy" "k8s/install-operators.sh strimzi")
*/}}
{{- define "stampede.requireApi" -}}
{{- $root := index . 0 -}}
{{- if and $root.Values.requireOperatorApis (not ($root.Capabilities.APIVersions.Has (index . 1))) -}}
{{- fail (printf "%s needs the %s API, which this cluster does not serve: install the operator first (%s), or pass --api-versions %s to helm template" (index . 2) (index . 1) (index . 3) (index . 1)) -}}
{{- end -}}
{{- end -}}
