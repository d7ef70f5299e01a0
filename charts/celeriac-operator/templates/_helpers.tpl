{{/* The chart's name, or nameOverride. */}}
{{- define "celeriac-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's objects: fullnameOverride, else the release name (with the chart name appended unless it already contains it). */}}
{{- define "celeriac-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "celeriac-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "celeriac-operator.labels" -}}
helm.sh/chart: {{ include "celeriac-operator.chart" . }}
{{ include "celeriac-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: celeriac
{{- end }}

{{/* Labels that select the operator's pods (immutable once installed). */}}
{{- define "celeriac-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "celeriac-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "celeriac-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "celeriac-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* image.repository:image.tag, the tag defaulting to the chart's appVersion. */}}
{{- define "celeriac-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* "true" when the operator elects a leader: more than one replica, or leaderElection.alwaysEnabled. */}}
{{- define "celeriac-operator.leaderElection" -}}
{{- if or (gt (int .Values.replicaCount) 1) .Values.leaderElection.alwaysEnabled }}true{{ else }}false{{ end }}
{{- end }}
