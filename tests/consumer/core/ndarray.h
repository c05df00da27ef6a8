// A consumer project's own core/ndarray.h, on the consumer's include path on purpose: ember's
// headers are reached as <ember/...> only, so this file must never be included.
#error "the consumer's own core/ndarray.h shadowed ember's header"
