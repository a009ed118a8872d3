print("kubelet: not yet")
