export { parseAdmissionReview, parseAdmissionRequest, ADMISSION_API_VERSIONS, type AdmissionRequest, type AdmissionApiVersion, type Operation } from './review.js';
export { workloadImages, MAX_CONTAINERS, type WorkloadImages, type ImageUse, type ContainerRole } from './workload-images.js';
export { admissionResponse, errorResponse, type AdmissionVerdictOut } from './response.js';
export { workloadPatch, escapeToken, RESOLVED_IMAGES_ANNOTATION, DECISION_ANNOTATION, type JsonPatchOp, type PatchRequest } from './patch.js';
