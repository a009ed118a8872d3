// The process that holds a pod's namespaces for the pod's life (the role of Kubernetes' pause
// container). The kubelet's runtime forks, enters the new namespaces, sets the hostname and
// execs this: a small C program, so that a holder per pod costs a few hundred KB and keeps
// no copy-on-write image of the kubelet alive. It sleeps until killed.
#include <unistd.h>

int main(void) {
    for (;;) pause();
}
