/**
 * IMM 2020-09-30 task actions that need engines openimm does not have (datasets, AI models): they answer
 * `InvalidAction.NotSupported` rather than accepting a task that cannot be done (spec section 11).
 */
export const UNSUPPORTED_IMM_ACTIONS: ReadonlySet<string> = new Set([
  'CreateVideoLabelClassificationTask',
  'CreateImageModerationTask',
  'CreateVideoModerationTask',
  'CreateFigureClusteringTask',
  'CreateFigureClustersMergingTask',
  'CreateSimilarImageClusteringTask',
  'CreateLocationDateClusteringTask',
  'CreateFacesSearchingTask',
  'CreateDecodeBlindWatermarkTask',
  'CreateHighlightTask',
  'CreateCompressPointCloudTask',
  'CreateStory',
]);
