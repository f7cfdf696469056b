using Microsoft.AspNetCore.Http.Metadata;

namespace Orchestrator.Api.Common;

/// <summary>
/// Endpoint metadata for a body limit other than <see cref="ApiLimits.MaxBodyBytes"/> (file uploads): routing applies
/// it to the server's request body limit before the endpoint runs.
/// </summary>
public sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
