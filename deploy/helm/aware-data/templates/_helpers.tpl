{{/* Labels every object of this chart carries. */}}
{{- define "aware-data.labels" -}}
app.kubernetes.io/part-of: aware
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{/* A Kubernetes object name for a broker object: kind and name, dots made dashes. */}}
{{- define "aware-data.topologyName" -}}
{{- printf "%s-%s" (index . 0) (index . 1 | replace "." "-" | replace "_" "-" | lower) | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* The broker definitions shared with docker compose (files/ links docker/rabbitmq/definitions.json). */}}
{{- define "aware-data.definitions" -}}
{{- .Files.Get "files/rabbitmq-definitions.json" | required "files/rabbitmq-definitions.json is missing" -}}
{{- end }}

{{- define "aware-data.appNamespace" -}}
{{- .Values.clients.appNamespace | default .Release.Namespace -}}
{{- end }}
