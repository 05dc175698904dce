{{/* Labels of every object; a component's objects add its selector labels instead of the instance. */}}
{{- define "aware.commonLabels" -}}
app.kubernetes.io/part-of: aware
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "aware.labels" -}}
{{ include "aware.commonLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one component: (list $ "user-v1"). */}}
{{- define "aware.selectorLabels" -}}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/name: {{ index . 1 }}
{{- end }}

{{/* Object name of one component: (list $ "user-v1"). */}}
{{- define "aware.name" -}}
{{- printf "%s-%s" (index . 0).Release.Name (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "aware.image" -}}
{{- $ := index . 0 -}}
{{- printf "%s/%s:%s" $.Values.image.repository (index . 1) ($.Values.image.tag | default $.Chart.AppVersion) -}}
{{- end }}

{{- define "aware.dataNamespace" -}}
{{- .Values.data.namespace | default .Release.Namespace -}}
{{- end }}

{{/* mongodb:// URI of one database: (list $ user database authSource); the password comes from $(MONGO_PASSWORD). */}}
{{- define "aware.mongoUri" -}}
{{- $ := index . 0 -}}
{{- $m := $.Values.data.mongodb.name -}}
{{- printf "mongodb://%s:$(MONGO_PASSWORD)@%s-svc.%s.svc.cluster.local:27017/%s?replicaSet=%s&authSource=%s" (index . 1) $m (include "aware.dataNamespace" $) (index . 2) $m (index . 3) -}}
{{- end }}

{{- define "aware.amqpUrl" -}}
{{- printf "amqp://$(AMQP_USERNAME):$(AMQP_PASSWORD)@%s.%s.svc.cluster.local:5672/%s" .Values.data.rabbitmq.name (include "aware.dataNamespace" .) .Values.data.rabbitmq.vhost -}}
{{- end }}

{{/* Pod-level security: non-root, the runtime's seccomp profile, no service account token. */}}
{{- define "aware.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{- define "aware.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  capabilities:
    drop: [ALL]
{{- end }}

{{/*
The workloads: HTTP services behind Kong (user-v1, user-v2, the order API) and the order
consumer, which KEDA scales on the queue's depth. Each: its values key, app image, database
user, database and auth database, the Secret key names, its broker Secret (none for the order API:
with ORDER_ROLE=api it opens no broker connection) and ORDER_ROLE.
*/}}
{{- define "aware.components" -}}
- name: user-v1
  values: userV1
  app: user-v1
  http: true
  mongoUser: users-service
  database: users
  authSource: users
  mongoSecret: usersService
  rabbitSecret: userV1
- name: user-v2
  values: userV2
  app: user-v2
  http: true
  mongoUser: users-service
  database: users
  authSource: users
  mongoSecret: usersService
  rabbitSecret: userV2
- name: order-api
  values: orderApi
  app: order
  http: true
  role: api
  mongoUser: orders-service
  database: orders
  authSource: orders
  mongoSecret: ordersService
- name: order-consumer
  values: orderConsumer
  app: order
  http: false
  role: consumer
  mongoUser: orders-service
  database: orders
  authSource: orders
  mongoSecret: ordersService
  rabbitSecret: order
{{- end }}
