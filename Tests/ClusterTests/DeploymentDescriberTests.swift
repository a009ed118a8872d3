import Testing
import Wire
@testable import ctl

/// `ctl describe deployment` against what kubectl 1.32 prints for the same object (the
/// events section added as `ctl describe` adds it). The pod template is kubectl's
/// DescribePodTemplate, shared with the other workloads.
@Suite struct DeploymentDescriberTests {
    @Test func podTemplateWithPriorityClass() {
        let d: JSON = [
            "metadata": ["name": "web", "namespace": "default", "creationTimestamp": "2026-11-30T10:00:00Z", "labels": ["app": "web"]],
            "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]], "minReadySeconds": 0,
                     "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]],
                     "template": ["metadata": ["labels": ["app": "web"]],
                                  "spec": ["priorityClassName": "high-priority", "containers": [["name": "web", "image": "nginx:1.27"]]]]],
        ]
        var w = DeploymentDescriber.describe(d, replicaSets: [])
        Describer.events([], &w)
        #expect(w.text == """
            Name:                   web
            Namespace:              default
            CreationTimestamp:      Mon, 30 Nov 2026 10:00:00 +0000
            Labels:                 app=web
            Annotations:            <none>
            Selector:               app=web
            Replicas:               2 desired | 0 updated | 0 total | 0 available | 0 unavailable
            StrategyType:           RollingUpdate
            MinReadySeconds:        0
            RollingUpdateStrategy:  25% max unavailable, 25% max surge
            Pod Template:
              Labels:  app=web
              Containers:
               web:
                Image:              nginx:1.27
                Port:               <none>
                Host Port:          <none>
                Environment:        <none>
                Mounts:             <none>
              Volumes:              <none>
              Priority Class Name:  high-priority
              Node-Selectors:       <none>
              Tolerations:          <none>
            OldReplicaSets:         <none>
            NewReplicaSet:          <none>
            Events:                 <none>

            """)
    }
}
